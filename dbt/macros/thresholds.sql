{#- Business constants live in the seed `thresholds` (name, value, note), never as
    literals in SQL. These return a scalar subquery on the seed. -#}
{% macro threshold(name, type='double') -%}
    (select cast(thresholds.value as {{ type }}) from {{ ref('thresholds') }} as thresholds where thresholds.name = '{{ name }}')
{%- endmacro %}

{% macro threshold_text(name) -%}
    (select cast(thresholds.value as {{ dbt.type_string() }}) from {{ ref('thresholds') }} as thresholds where thresholds.name = '{{ name }}')
{%- endmacro %}
