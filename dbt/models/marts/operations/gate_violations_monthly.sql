{#- 节点控流程月报: per month of step start, supply unit and team, the steps started and
    how many of them broke the gate (gate_violations). -#}
with steps as (
    select
        step_id,
        unit_code,
        assignee_team_code as team_code,
        started_at
    from {{ ref('int_steps_matched_to_archive') }}
    where
        started_at <= {{ as_of() }}
        and proc_accepted_at <= {{ as_of() }}
        and not is_cancelled
),

violations as (
    select * from {{ ref('gate_violations') }}
),

teams as (
    select * from {{ ref('stg_marketing__teams') }}
),

units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

started as (
    select
        cast({{ dbt.date_trunc('month', 'steps.started_at') }} as date) as month,
        steps.unit_code,
        steps.team_code,
        count(*) as steps_started,
        count(violations.step_id) as violations
    from steps
    left join violations
        on steps.step_id = violations.step_id
    group by 1, 2, 3
),

final as (
    select
        started.month,
        started.unit_code,
        started.team_code,
        units.unit_name,
        teams.team_name,
        started.steps_started,
        started.violations,
        case
            when started.steps_started > 0 then 1.0 * started.violations / started.steps_started
        end as violation_rate
    from started
    left join teams
        on started.team_code = teams.team_code
    left join units
        on started.unit_code = units.unit_code
)

select * from final
