{#- Items of the step-based indicators, one row per (month, indicator, step):
    completion_rate and timely_filing_rate over D(M) = archive-producing steps completed in
    M (by the cutoff) of processes not cancelled at the cutoff, counted for the unit and the
    assignee's team at the step's completion; sla_overdue_rate of business staff over
    their time-limited steps completed in M. Evaluated as of the month's cutoff: a send
    after the cutoff has not happened. Pending: not sent by the cutoff while the 48 h since
    completion have not run out at the cutoff (deadline >= cutoff). -#}
with steps as (
    select * from {{ ref('int_steps_matched_to_archive') }}
),

months as (
    select * from {{ ref('int_kpi_months_computed') }}
),

steps_in_month as (
    select
        months.month,
        months.cutoff_at,
        steps.*
    from steps
    inner join months
        on {{ counts_in_month('steps.completed_at') }}
    where not {{ is_cancelled_at('steps.cancelled_at', 'months.cutoff_at') }}
),

archive_producing as (
    select
        *,
        {{ as_of_cut('sent_at', 'cutoff_at') }} is not null as is_sent_by_cutoff,
        {{ dbt.dateadd('second', threshold('filing_hours', 'integer') ~ ' * 3600', 'completed_at') }} as filing_due_at
    from steps_in_month
    where is_archive_producing
),

step_flags as (
    select
        *,
        not is_sent_by_cutoff and filing_due_at >= cutoff_at as is_pending,
        is_sent_by_cutoff
        and {{ hours_between('completed_at', 'sent_at') }} <= {{ threshold('filing_hours') }} as is_timely
    from archive_producing
),

completion as (
    select
        month,
        'completion_rate' as indicator,
        step_id as item_id,
        unit_code_at_step as unit_code,
        assignee_team_code_at_step as team_code,
        cast(null as {{ dbt.type_string() }}) as person_id,
        is_pending,
        is_sent_by_cutoff as is_success,
        cast(null as double) as points
    from step_flags
),

timely_filing as (
    select
        month,
        'timely_filing_rate' as indicator,
        step_id as item_id,
        unit_code_at_step as unit_code,
        assignee_team_code_at_step as team_code,
        assignee_id as person_id,
        is_pending,
        is_timely as is_success,
        cast(null as double) as points
    from step_flags
),

staff_overdue as (
    select
        month,
        'sla_overdue_rate' as indicator,
        step_id as item_id,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        assignee_id as person_id,
        false as is_pending,
        sla_status_at_completion = 'red' as is_success,
        cast(null as double) as points
    from steps_in_month
    where is_time_limited
),

final as (
    select * from completion
    union all
    select * from timely_filing
    union all
    select * from staff_overdue
)

select * from final
