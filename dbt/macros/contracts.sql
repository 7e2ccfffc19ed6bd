{#- Contract validity at a date e (DOMAIN.md §8), one definition for the current contract
    (int_current_contracts_selected, e = as_of date) and contract_valid_rate
    (int_contract_items_assessed, e = min(as_of date, last day of M)).
    A contract is standing at e when signed by e and not terminated on or before e; a
    customer's current contract is its standing contract with the latest expires_on
    (ties: latest signed_on, then highest contract_id); it is valid at e when it expires
    on or after e or auto-renews. -#}
{% macro contract_is_standing(contract, evaluated_on) -%}
    ({{ contract }}.signed_on <= {{ evaluated_on }}
    and ({{ contract }}.terminated_on is null or {{ contract }}.terminated_on > {{ evaluated_on }}))
{%- endmacro %}

{% macro contract_recency_order(contract) -%}
    {{ contract }}.expires_on desc, {{ contract }}.signed_on desc, {{ contract }}.contract_id desc
{%- endmacro %}

{% macro contract_is_valid(contract, evaluated_on) -%}
    ({{ contract }}.expires_on >= {{ evaluated_on }} or {{ contract }}.is_auto_renew)
{%- endmacro %}
