{#- The first version of every row is valid from the beginning of time (DOMAIN.md §13):
    a fixed minimum timestamp, so "value at t" finds a version for any t. -#}
{% macro history_start() -%}
    cast('1900-01-01 00:00:00' as timestamp)
{%- endmacro %}

{#- History (SCD type 2) of a source table's tracked columns, written by each build
    (DOMAIN.md §13). Called by the incremental models of schema `history`, which merge
    (delete+insert) on key + valid_from and never take part in a full refresh.

    - `source_model`: the staging model read; `key`: its key column; `tracked`: the columns
      whose change makes a new version; `changed_at`: the expression a new version is
      valid from (the row's updated_at, or as_of() where the table has none).
    - A row first seen gets one version valid from history_start(). A row whose tracked
      values differ (null-safe) from its latest version gets a new version valid from
      `changed_at`, and the replaced version is written once more with valid_to closed at
      that moment; every other recorded row is left as it is.
    - A build whose as_of is before the latest recorded valid_from of the table, or before
      the as_of of a build that wrote history (history.builds, model history_builds),
      writes nothing: it reads history, it does not rewrite it. A change whose `changed_at` is
      after the build's as_of has not happened yet as of that build (as_of_cut's rule):
      it is recorded by the first build as of a later moment.
    - A change whose `changed_at` is not after the latest version's valid_from (an
      updated_at older than what was recorded) is valid from the build's as_of, so
      versions stay in order and key + valid_from stays unique. -#}
{% macro scd2_history(source_model, key, tracked, changed_at) -%}
with current_rows as (
    select
        {{ key }},
        {{ tracked | join(', ') }},
        {{ changed_at }} as changed_at
    from {{ ref(source_model) }}
),

{% if is_incremental() %}
latest as (
    select * from {{ this }}
    where valid_to is null
),

{%- set builds = adapter.get_relation(database=this.database, schema=this.schema, identifier='builds') %}
writable as (
    select
        coalesce(max(valid_from), {{ history_start() }}) <= {{ as_of() }}
        {%- if builds is not none %}
        and (select coalesce(max(builds.as_of), {{ history_start() }}) from {{ builds }} as builds) <= {{ as_of() }}
        {%- endif %} as is_writable
    from {{ this }}
),

changed as (
    select
        current_rows.*,
        latest.valid_from as latest_valid_from
    from current_rows
    left join latest on current_rows.{{ key }} = latest.{{ key }}
    where
        (select writable.is_writable from writable)
        and (
            latest.{{ key }} is null
            or (
                current_rows.changed_at <= {{ as_of() }}
                and (
                    {%- for column in tracked %}
                    {% if not loop.first %}or {% endif %}current_rows.{{ column }} is distinct from latest.{{ column }}
                    {%- endfor %}
                )
            )
        )
),

new_versions as (
    select
        {{ key }},
        {{ tracked | join(', ') }},
        case
            when latest_valid_from is null then {{ history_start() }}
            when changed_at > latest_valid_from then changed_at
            else {{ as_of() }}
        end as valid_from,
        cast(null as timestamp) as valid_to
    from changed
),

closed_versions as (
    select
        latest.{{ key }},
        {%- for column in tracked %}
        latest.{{ column }},
        {%- endfor %}
        latest.valid_from,
        new_versions.valid_from as valid_to
    from latest
    inner join new_versions on latest.{{ key }} = new_versions.{{ key }}
)

select * from new_versions
union all
select * from closed_versions
{% else %}
first_versions as (
    select
        {{ key }},
        {{ tracked | join(', ') }},
        {{ history_start() }} as valid_from,
        cast(null as timestamp) as valid_to
    from current_rows
)

select * from first_versions
{% endif %}
{%- endmacro %}

{#- Whether a version (table alias `versions`) is the one in effect at `moment`: the value at
    a moment t is the version with valid_from <= t < valid_to (DOMAIN.md §13). -#}
{% macro valid_at(versions, moment) -%}
    ({{ versions }}.valid_from <= {{ moment }} and ({{ versions }}.valid_to is null or {{ moment }} < {{ versions }}.valid_to))
{%- endmacro %}

{#- Whether a process whose cancellation moment is `cancelled_at` (null: never cancelled) is
    cancelled at `moment` (DOMAIN.md §13). -#}
{% macro is_cancelled_at(cancelled_at, moment) -%}
    coalesce({{ cancelled_at }} <= {{ moment }}, false)
{%- endmacro %}

{#- The versions of a history model with the rows of its source that history has not
    recorded (a build with an as_of before the latest version writes none): those count as
    one version valid from the beginning, so every source row has a value at every moment. -#}
{% macro versions_with_unrecorded(history_model, source_model, key, tracked) -%}
with recorded as (
    select * from {{ ref(history_model) }}
),

unrecorded as (
    select
        {{ key }},
        {{ tracked | join(', ') }},
        {{ history_start() }} as valid_from,
        cast(null as timestamp) as valid_to
    from {{ ref(source_model) }}
    where {{ key }} not in (select recorded.{{ key }} from recorded)
),

final as (
    select {{ key }}, {{ tracked | join(', ') }}, valid_from, valid_to from recorded
    union all
    select * from unrecorded
)
{%- endmacro %}
