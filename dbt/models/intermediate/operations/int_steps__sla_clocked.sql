{#- The working-day clock of every time-limited step (DOMAIN.md §7): business-expansion
    process types, a node with a limit for the customer's class (seed time_limits). The
    clock runs from started_at to completed_at, or to as_of while the step is open, so
    a completed step keeps the light it had at completion (sla_overdue_rate) and an open
    one shows today's (sla_monitor, reminders). -#}
with steps as (
    select * from {{ ref('int_steps__archive_tracked') }}
    where is_business_expansion
),

time_limits as (
    select * from {{ ref('time_limits') }}
),

limited as (
    select
        steps.step_id,
        steps.proc_id,
        steps.proc_type,
        steps.cust_no,
        steps.unit_code,
        steps.team_code,
        steps.node_code,
        steps.assignee_id,
        steps.customer_class,
        steps.process_state,
        time_limits.limit_workdays,
        steps.is_open,
        steps.is_cancelled,
        steps.started_at,
        steps.completed_at,
        coalesce(steps.completed_at, {{ as_of() }}) as clock_end_at
    from steps
    inner join time_limits
        on
            steps.node_code = time_limits.node_code
            and steps.customer_class = time_limits.customer_class
),

clocked as (
    select
        *,
        {{ elapsed_workdays('started_at', 'clock_end_at') }} as elapsed_workdays,
        {{ workday_add('started_at', 'limit_workdays') }} as due_on
    from limited
),

final as (
    select
        step_id,
        proc_id,
        proc_type,
        cust_no,
        unit_code,
        team_code,
        node_code,
        assignee_id,
        customer_class,
        process_state,
        {{ sla_status('elapsed_workdays', 'limit_workdays') }} as status,
        limit_workdays,
        {{ threshold('sla_yellow_ratio') }} * limit_workdays as yellow_from_workdays,
        elapsed_workdays,
        limit_workdays - elapsed_workdays as remaining_workdays,
        is_open,
        elapsed_workdays > limit_workdays as is_red,
        is_cancelled,
        due_on,
        started_at,
        completed_at,
        clock_end_at,
    from clocked
)

select * from final
