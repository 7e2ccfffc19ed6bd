{#- Which rows a data test reads. Every row, unless the build asks for the rows written
    since the previous build only (var test_rows = 'changed', what the hourly
    `dangan build` passes): then a test of a model with an `updated_at` column reads the
    rows updated after the as_of of the latest earlier build recorded in history.builds.
    The monthly close, `--full-refresh`, the first build and the dbt tests of CI read every
    row. A row loaded now with an older `updated_at` (a late commit) is read by the next
    all-rows run. dbt applies this through get_where_subquery, which every generic test
    calls on the relation it tests; a test's own `where` config still applies.
    Whether a relation has `updated_at` is read from its YAML (the columns of the tested
    model or source in the graph), not from the warehouse: a query per test made the
    hourly build's tests cost more than the full build's. A relation that does not
    declare the column is tested on every row. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set changed = changed_rows_condition(relation) -%}
    {%- if changed -%}
        {%- do conditions.append(changed) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ (conditions | join(' and ')) ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro changed_rows_condition(relation) -%}
    {%- if not execute or var('test_rows', 'all') != 'changed' or relation.identifier is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not declares_updated_at(relation) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set builds = adapter.get_relation(database=target.database, schema='history', identifier='builds') -%}
    {%- if builds is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(
        'updated_at > (select coalesce(max(builds.as_of), ' ~ history_start() ~ ') from ' ~ builds
        ~ ' as builds where builds.as_of < ' ~ as_of() ~ ')'
    ) }}
{%- endmacro %}

{#- Whether the model or source ``relation`` (one the current test depends on) declares a
    column ``updated_at`` in its YAML. -#}
{% macro declares_updated_at(relation) -%}
    {%- for unique_id in model.depends_on.nodes -%}
        {%- set node = graph.nodes.get(unique_id) or graph.sources.get(unique_id) -%}
        {%- if node -%}
            {%- set name = node.get('alias') or node.get('identifier') or node.name -%}
            {%- if name | lower == relation.identifier | lower and node.schema | lower == (relation.schema or '') | lower -%}
                {{ return('updated_at' in (node.columns.keys() | map('lower') | list)) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
