"""Who may see what: the users store, roles and their scope, masking of personal data.

``store`` and ``roles`` import no Streamlit, so ``dangan users`` and the data layer share
them; ``session`` is the dashboard's login gate.
"""
