{#- Incremental large facts: a model keyed by one column recomputes only the keys whose
    inputs may have changed since the build that last wrote it, and every key otherwise.

    A build records, for every such model, the as_of it computed the model at, the project
    code it ran (var code_hash, a hash of the dbt project's files that `dangan build`
    passes) and the newest source moment it had read (the least of as_of and each input
    table's newest updated_at) in intermediate.incremental_state. The next build with the
    same code and an as_of not before that one recomputes the keys changed since:
    rows with updated_at after the recorded watermark less the ingest's overlap window
    (seed ingest_limits, the same window the ingest reads again), and keys whose value
    depends on the moment (open at the recorded as_of). Anything else recomputes every key:
    no recorded state, other code (the build then runs dbt with --full-refresh, so a
    changed model is rebuilt whole), an as_of before the recorded one, or dbt run without
    code_hash (development, CI's dbt tests). -#}

{% macro incremental_state_relation() -%}
    {{ api.Relation.create(database=target.database, schema='intermediate', identifier='incremental_state') }}
{%- endmacro %}

{#- The recorded state of this model when only changed keys are to be recomputed, else
    none. Read when the model runs (never at parse time). -#}
{% macro incremental_state() -%}
    {%- if not execute or not is_incremental() or not var('code_hash', '') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set table = adapter.get_relation(database=target.database, schema='intermediate', identifier='incremental_state') -%}
    {%- if table is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select " ~ timestamp_text('as_of') ~ ", " ~ timestamp_text('watermark') ~ " from "
        ~ table ~ " where model = '" ~ this.identifier ~ "' and code_hash = '" ~ var('code_hash')
        ~ "' and as_of <= " ~ as_of()
    ) -%}
    {%- if rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'as_of': rows[0][0], 'watermark': rows[0][1]}) }}
{%- endmacro %}

{#- A source row changed since the recorded state: updated after its watermark less the
    overlap window. -#}
{% macro changed_since(state, column='updated_at') -%}
    {{ column }} > {{ dbt.dateadd(
        'second',
        "-(select cast(round(cast(value as double) * 3600) as bigint) from " ~ ref('ingest_limits') ~ " where name = 'overlap_hours')",
        "cast('" ~ state.watermark ~ "' as timestamp)",
    ) }}
{%- endmacro %}

{#- pre_hook: when every key is recomputed, rows of keys that no longer exist must go too. -#}
{% macro incremental_reset() -%}
    {%- if execute and is_incremental() and incremental_state() is none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- post_hook: record what this build computed the model as of. `inputs` are the models
    whose updated_at bound what was read. -#}
{% macro incremental_record(inputs) -%}
    {{ return(adapter.dispatch('incremental_record', 'dangan')(inputs)) }}
{%- endmacro %}

{#- Spark builds every model whole in a catalogue of their own (docs/SCALE.md): nothing is
    recorded, so no later build there takes the changed-keys path. Parquet tables have no
    primary key nor an upsert to keep one row per model. -#}
{% macro spark__incremental_record(inputs) -%}
{%- endmacro %}

{% macro duckdb__incremental_record(inputs) -%}
    create table if not exists {{ incremental_state_relation() }} (
        model varchar primary key,
        as_of timestamp,
        watermark timestamp,
        code_hash varchar
    );
    insert or replace into {{ incremental_state_relation() }}
    select
        '{{ this.identifier }}',
        {{ as_of() }},
        least(
            {{ as_of() }}
            {%- for input in inputs %},
            coalesce((select max(updated_at) from {{ ref(input) }}), {{ as_of() }})
            {%- endfor %}
        ),
        '{{ var("code_hash", "") }}'
{%- endmacro %}
