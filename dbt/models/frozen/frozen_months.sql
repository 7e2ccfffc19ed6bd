{{ config(alias='months') }}

{#- The months frozen so far (DOMAIN.md §13). A build whose as_of is not before the latest
    frozen_at freezes every month final as of its as_of and not frozen yet, all with
    frozen_at = its as_of (a missed close is caught up by the next build, every month at
    once; a build with a past as_of freezes nothing). -#}
with months as (
    select * from {{ ref('int_kpi_months_enumerated') }}
),

frozen as (
    {% if is_incremental() -%}
        select
            month,
            frozen_at
        from {{ this }}
    {%- else -%}
        select
            cast(null as date) as month,
            cast(null as timestamp) as frozen_at
        where false
    {%- endif %}
),

final as (
    select
        month,
        close_at,
        {{ as_of() }} as frozen_at
    from months
    where
        not is_provisional
        and month not in (select frozen.month from frozen)
        and (select coalesce(max(frozen.frozen_at), {{ history_start() }}) from frozen) <= {{ as_of() }}
)

select * from final
