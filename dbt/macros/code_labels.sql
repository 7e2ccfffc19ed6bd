{#- The display name of a code, from the one label catalogue (seed code_labels: kind, code,
    zh, en). Every label a mart shows comes through here, so a name is changed in the seed
    only and the dashboard, the reminder texts and the workbook never disagree with SQL.
    A scalar lookup (DuckDB decorrelates it into a join); null when the code has no label,
    which the generic test has_code_label reports. -#}
{% macro code_label(kind, code_expr, language='zh') -%}
    (select code_label.{{ language }} from {{ ref('code_labels') }} as code_label where code_label.kind = '{{ kind }}' and code_label.code = {{ code_expr }})
{%- endmacro %}
