{#- Audit-based items: audit_pass_rate, one row per (month, check) performed in M by the
    cutoff on a process not cancelled at the cutoff (for the process's unit and its owner's
    team as they were at the check's checked_at, DOMAIN §8); and
    quality_points, one row per (month, finding) of those checks: important and general
    findings weigh their seed points, attributed to the finding's responsible person. -#}
with checks as (
    select * from {{ ref('stg_archive__audit_checks') }}
),

findings as (
    select * from {{ ref('stg_archive__audit_findings') }}
),

processes as (
    select * from {{ ref('int_processes_summarised') }}
),

process_versions as (
    select * from {{ ref('int_process_versions_unioned') }}
),

staff_versions as (
    select * from {{ ref('int_staff_versions_unioned') }}
),

months as (
    select * from {{ ref('int_kpi_months_computed') }}
),

checks_in_month as (
    select
        months.month,
        checks.check_id,
        checks.result,
        process_then.unit_code,
        owner_then.team_code as owner_team_code
    from checks
    inner join months
        on {{ counts_in_month('checks.checked_at') }}
    inner join processes
        on checks.proc_id = processes.proc_id
    left join process_versions as process_then
        on
            checks.proc_id = process_then.proc_id
            and {{ valid_at('process_then', 'checks.checked_at') }}
    left join staff_versions as owner_then
        on
            process_then.owner_id = owner_then.staff_id
            and {{ valid_at('owner_then', 'checks.checked_at') }}
    where not {{ is_cancelled_at('processes.cancelled_at', 'months.cutoff_at') }}
),

pass_rate as (
    select
        month,
        'audit_pass_rate' as indicator,
        check_id as item_id,
        unit_code,
        owner_team_code as team_code,
        cast(null as {{ dbt.type_string() }}) as person_id,
        false as is_pending,
        result = 'pass' as is_success,
        cast(null as double) as points
    from checks_in_month
),

quality as (
    select
        checks_in_month.month,
        'quality_points' as indicator,
        findings.finding_id as item_id,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        findings.responsible_id as person_id,
        false as is_pending,
        cast(null as boolean) as is_success,
        case findings.severity
            when 'important' then {{ threshold('quality_points_important') }}
            when 'general' then {{ threshold('quality_points_general') }}
        end as points
    from findings
    inner join checks_in_month
        on findings.check_id = checks_in_month.check_id
),

final as (
    select * from pass_rate
    union all
    select * from quality
)

select * from final
