{#- 业扩时限监控: every open time-limited step of an in-flight process as of as_of, with
    its light (DOMAIN.md §7): the clock runs from started_at to as_of. A step completed by
    as_of, and the steps of processes cancelled or completed by then, drop out. -#}
with steps as (
    select * from {{ ref('int_steps_matched_to_archive') }}
    where
        is_time_limited
        and started_at <= {{ as_of() }}
        and proc_accepted_at <= {{ as_of() }}
        and not is_cancelled
        and {{ as_of_cut('completed_at', as_of()) }} is null
        and {{ as_of_cut('proc_completed_at', as_of()) }} is null
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

clocked as (
    select
        *,
        {{ elapsed_workdays('started_at', as_of()) }} as elapsed_workdays,
        {{ workday_add('started_at', 'limit_workdays') }} as due_on
    from steps
),

final as (
    select
        clocked.step_id,
        clocked.proc_id,
        clocked.proc_type,
        clocked.cust_no,
        clocked.unit_code,
        clocked.assignee_team_code as team_code,
        clocked.node_code,
        clocked.assignee_id,
        {{ code_label('proc_type', 'clocked.proc_type') }} as proc_type_zh,
        {{ code_label('node', 'clocked.node_code') }} as node_name_zh,
        units.unit_name,
        staff.team_name,
        staff.staff_name as assignee_name,
        clocked.customer_class,
        {{ sla_status('clocked.elapsed_workdays', 'clocked.limit_workdays') }} as status,
        {{ code_label('sla_status', sla_status('clocked.elapsed_workdays', 'clocked.limit_workdays')) }} as status_zh,
        clocked.limit_workdays,
        clocked.elapsed_workdays,
        clocked.limit_workdays - clocked.elapsed_workdays as remaining_workdays,
        clocked.due_on,
        clocked.started_at
    from clocked
    left join staff
        on clocked.assignee_id = staff.staff_id
    left join units
        on clocked.unit_code = units.unit_code
)

select * from final
