{#- collection_timely_rate items, one row per (month, archive step) sent to the collector in
    M by the cutoff, of a process not cancelled at the cutoff: success = reviewed by the cutoff within
    collection_review_workdays elapsed working days of sent_at; pending = not reviewed by
    the cutoff with at most that many elapsed working days from sent_at to the cutoff. -#}
with steps as (
    select * from {{ ref('int_steps_matched_to_archive') }}
),

months as (
    select * from {{ ref('int_kpi_months_computed') }}
),

sent_in_month as (
    select
        months.month,
        months.cutoff_at,
        steps.arch_step_id,
        steps.collector_id,
        steps.sent_at,
        {{ as_of_cut('steps.reviewed_at', 'months.cutoff_at') }} as reviewed_at
    from steps
    inner join months
        on {{ counts_in_month('steps.sent_at') }}
    where
        steps.arch_step_id is not null
        and not {{ is_cancelled_at('steps.cancelled_at', 'months.cutoff_at') }}
),

final as (
    select
        month,
        'collection_timely_rate' as indicator,
        arch_step_id as item_id,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        collector_id as person_id,
        reviewed_at is null
        and {{ elapsed_workdays('sent_at', 'cutoff_at') }}
        <= {{ threshold('collection_review_workdays', 'integer') }} as is_pending,
        coalesce(
            {{ elapsed_workdays('sent_at', 'reviewed_at') }}
            <= {{ threshold('collection_review_workdays', 'integer') }},
            false
        ) as is_success,
        cast(null as double) as points
    from sent_in_month
)

select * from final
