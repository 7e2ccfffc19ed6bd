{{ config(alias='builds', unique_key='as_of') }}

{#- The builds that wrote history (DOMAIN.md §13): the as_of of every build whose as_of was
    not before the latest one recorded. A build with an earlier as_of reads history and
    writes none (macro scd2_history reads this table), even where no tracked value changed
    since: otherwise a change first seen by a later build could be recorded as valid from a
    past moment. Runs after the history tables, so they see the builds before this one. -#}
-- depends_on: {{ ref('history_staff') }}, {{ ref('history_customers') }}, {{ ref('history_processes') }}
with final as (
    select {{ as_of() }} as as_of
    {%- if is_incremental() %}
        where {{ as_of() }} >= (select coalesce(max(builds.as_of), {{ history_start() }}) from {{ this }} as builds)
    {%- endif %}
)

select * from final
