{#- DuckDB-only functions, kept here so the models stay portable SQL. -#}

{#- A table of the first days of every month from start to end inclusive, as column `month`
    (table function; use in a from clause). -#}
{% macro month_series(start_expr, end_expr) -%}
    generate_series(cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval 1 month)
{%- endmacro %}

{#- The value of `value_expr` on the row with the highest `order_expr` of the group. -#}
{% macro value_at_max(value_expr, order_expr) -%}
    arg_max({{ value_expr }}, {{ order_expr }})
{%- endmacro %}

{#- Integer division (truncating) of two integer expressions. -#}
{% macro integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}
