{#- Schemas are exactly staging, intermediate, marts and history (no target prefix): the dashboard,
    the analysts and the Dagster definitions address them by these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
