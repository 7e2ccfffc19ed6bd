{#- 业扩时限监控: every open time-limited step of an in-flight process as of as_of, with
    its light. Steps of cancelled processes and of processes already completed drop out. -#}
with clocked as (
    select * from {{ ref('int_steps__sla_clocked') }}
    where is_open and process_state = 'in_progress'
),

staff as (
    select * from {{ ref('int_staff__attributed') }}
),

units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

final as (
    select
        clocked.step_id,
        clocked.proc_id,
        clocked.proc_type,
        clocked.cust_no,
        clocked.unit_code,
        clocked.team_code,
        clocked.node_code,
        clocked.assignee_id,
        {{ code_label('proc_type', 'clocked.proc_type') }} as proc_type_zh,
        {{ code_label('node', 'clocked.node_code') }} as node_name_zh,
        units.unit_name,
        staff.team_name,
        staff.staff_name as assignee_name,
        clocked.customer_class,
        clocked.status,
        {{ code_label('sla_status', 'clocked.status') }} as status_zh,
        clocked.limit_workdays,
        clocked.elapsed_workdays,
        clocked.remaining_workdays,
        clocked.due_on,
        clocked.started_at,
    from clocked
    left join staff
        on clocked.assignee_id = staff.staff_id
    left join units
        on clocked.unit_code = units.unit_code
)

select * from final
