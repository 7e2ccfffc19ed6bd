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

{#- A timestamp as 'YYYY-MM-DD HH:MM:SS' text. -#}
{% macro timestamp_text(timestamp_expr) -%}
    {{ return(adapter.dispatch('timestamp_text', 'dangan')(timestamp_expr)) }}
{%- endmacro %}

{% macro duckdb__timestamp_text(timestamp_expr) -%}
    strftime({{ timestamp_expr }}, '%Y-%m-%d %H:%M:%S')
{%- endmacro %}

{% macro spark__timestamp_text(timestamp_expr) -%}
    date_format({{ timestamp_expr }}, 'yyyy-MM-dd HH:mm:ss')
{%- endmacro %}

{#- The incremental strategy of a model that replaces the rows of the keys it recomputes.
    DuckDB deletes and inserts by key; Spark's Parquet tables have no delete, and a Spark
    build writes every model whole into a catalogue of its own (docs/SCALE.md), where the
    first and only write of an incremental model is a plain create. -#}
{% macro replace_by_key_strategy() -%}
    {{ return(adapter.dispatch('replace_by_key_strategy', 'dangan')()) }}
{%- endmacro %}

{% macro duckdb__replace_by_key_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__replace_by_key_strategy() -%}
    {{ return('append') }}
{%- endmacro %}

{#- dbt's listagg on Spark ignores the order (dbt-spark's has no order_by_clause). The lines
    of a digest and the list of uncovered years are in order on both engines: the values
    are collected with their order key, sorted, and joined. Ascending keys only. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set order_expr = order_by_clause | trim -%}
        {%- if not order_expr.lower().startswith('order by ') or ',' in order_expr or order_expr.lower().endswith(' desc') -%}
            {{ exceptions.raise_compiler_error('spark__listagg: one ascending order key only, got: ' ~ order_by_clause) }}
        {%- endif -%}
        {%- set values = 'transform(array_sort(collect_list(named_struct(\'sort_key\', ' ~ order_expr[9:] ~ ', \'value\', ' ~ measure ~ '))), entry -> entry.value)' -%}
    {%- else -%}
        {%- set values = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set values = 'slice(' ~ values ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ values }}, {{ delimiter_text }})
{%- endmacro %}

{#- dbt.dateadd on Spark: dbt-spark's goes through to_timestamp(seconds since the epoch),
    which is null when timestamps are TIMESTAMP_NTZ (the spark target's, like DuckDB's
    Parquet timestamps). timestampadd keeps the type and, as DuckDB's, gives a timestamp
    for a date. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session connection binds an empty CSV cell as the text
    'None', so a node default of required_documents (empty proc_type) became the process
    type 'None'. The values are written as literals instead, an empty cell as null. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
