{#- The constructs that DuckDB and Spark SQL spell differently, each behind
    adapter.dispatch('name', 'dangan') with a duckdb__ and a spark__ implementation, so the
    models run unchanged on both engines (docs/SCALE.md). dbt's own cross-database macros
    (dbt.datediff, dbt.dateadd, dbt.date_trunc, dbt.hash, dbt.listagg, dbt.type_string, ...)
    are used where they exist; these are the ones dbt has none for. -#}

{#- A join adding one row per first day of every month from start to end inclusive, as
    column `column` of `alias` (the month spine). DuckDB: a lateral table function; Spark: a
    lateral view of the exploded sequence. -#}
{% macro month_series_join(start_expr, end_expr, alias, column) -%}
    {{ return(adapter.dispatch('month_series_join', 'dangan')(start_expr, end_expr, alias, column)) }}
{%- endmacro %}

{% macro duckdb__month_series_join(start_expr, end_expr, alias, column) -%}
    cross join lateral generate_series(cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval 1 month) as {{ alias }} ({{ column }})
{%- endmacro %}

{% macro spark__month_series_join(start_expr, end_expr, alias, column) -%}
    lateral view explode(sequence(cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval 1 month)) {{ alias }} as {{ column }}
{%- endmacro %}

{#- The value of `value_expr` on the row with the highest `order_expr` of the group. -#}
{% macro value_at_max(value_expr, order_expr) -%}
    {{ return(adapter.dispatch('value_at_max', 'dangan')(value_expr, order_expr)) }}
{%- endmacro %}

{% macro duckdb__value_at_max(value_expr, order_expr) -%}
    arg_max({{ value_expr }}, {{ order_expr }})
{%- endmacro %}

{% macro spark__value_at_max(value_expr, order_expr) -%}
    max_by({{ value_expr }}, {{ order_expr }})
{%- endmacro %}

{#- The value of `value_expr` on the row with the lowest `order_expr` of the group. -#}
{% macro value_at_min(value_expr, order_expr) -%}
    {{ return(adapter.dispatch('value_at_min', 'dangan')(value_expr, order_expr)) }}
{%- endmacro %}

{% macro duckdb__value_at_min(value_expr, order_expr) -%}
    arg_min({{ value_expr }}, {{ order_expr }})
{%- endmacro %}

{% macro spark__value_at_min(value_expr, order_expr) -%}
    min_by({{ value_expr }}, {{ order_expr }})
{%- endmacro %}

{#- Integer division (truncating) of two integer expressions. -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'dangan')(numerator, denominator)) }}
{%- endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}
