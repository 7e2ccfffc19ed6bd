{#- 提示信息: the eight reminder categories of DOMAIN.md §6, evaluated as of as_of. One row
    per category and object; person_id is who must act. Cancelled processes raise none (an
    audit finding is followed up whatever became of its process: the paper is still wrong).
    due_at is the last moment the work is on time (for day deadlines, the end of the day).
    The 48 h level is calendar hours: exactly 48 h since completion is still a reminder. -#}
{#- Steps started and processes accepted by as_of; a step's first document is either the
    archive step's or a document row of the step, whichever is known by as_of. -#}
with steps as (
    select
        *,
        coalesce(
            {{ as_of_cut('first_doc_at', as_of(), 'arch_created_at') }},
            {{ as_of_cut('first_doc_added_at', as_of()) }}
        ) is not null as has_document
    from {{ ref('int_steps_matched_to_archive') }}
    where
        started_at <= {{ as_of() }}
        and proc_accepted_at <= {{ as_of() }}
        and not is_cancelled
        and is_archive_producing
        and completed_at <= {{ as_of() }}
        and {{ as_of_cut('sent_at', as_of(), 'arch_created_at') }} is null
),

processes as (
    select * from {{ ref('int_processes_summarised') }}
    where
        accepted_at <= {{ as_of() }}
        and not is_cancelled
        and completed_at <= {{ as_of() }}
),

dossiers as (
    select * from {{ ref('stg_archive__dossiers') }}
    where created_at <= {{ as_of() }}
),

cancelled_processes as (
    select proc_id from {{ ref('int_processes_summarised') }}
    where
        is_cancelled
        and accepted_at <= {{ as_of() }}
),

contracts as (
    select * from {{ ref('contract_status') }}
    where alert_level is not null
),

sla_steps as (
    select * from {{ ref('sla_monitor') }}
    where status in ('yellow', 'red')
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

process_units as (
    select
        proc_id,
        unit_code
    from {{ ref('int_processes_summarised') }}
),

audit_checks as (
    select * from {{ ref('stg_archive__audit_checks') }}
    where checked_at <= {{ as_of() }}
),

audit_findings as (
    select * from {{ ref('stg_archive__audit_findings') }}
    where {{ as_of_cut('rectified_at', as_of()) }} is null
),

borrowings as (
    select * from {{ ref('stg_archive__borrowings') }}
    where
        borrowed_at <= {{ as_of() }}
        and {{ as_of_cut('returned_at', as_of()) }} is null
        and due_on is not null
),

step_reminders as (
    select
        case when has_document then 'to_send' else 'to_add' end as category,
        assignee_id as person_id,
        step_id as object_id,
        'step_id' as object_kind,
        unit_code,
        case
            when {{ hours_between('completed_at', as_of()) }} > {{ threshold('filing_hours') }} then 'overdue'
            else 'reminder'
        end as level,
        completed_at as since,
        {{ dbt.dateadd('second', '3600 * ' ~ threshold('filing_hours'), 'completed_at') }} as due_at
    from steps
),

handover_due as (
    select
        proc_id,
        owner_id,
        unit_code,
        completed_at,
        handover_deadline_on as due_on
    from processes
    where
        first_doc_added_at <= {{ as_of() }}
        and {{ as_of_cut('first_handed_over_at', as_of()) }} is null
),

handover_reminders as (
    select
        'to_hand_over' as category,
        owner_id as person_id,
        proc_id as object_id,
        'proc_id' as object_kind,
        unit_code,
        {{ level_by_due_date('due_on') }} as level,
        completed_at as since,
        {{ end_of_day('due_on') }} as due_at
    from handover_due
),

open_dossiers as (
    select
        dossiers.dossier_id,
        dossiers.collector_id,
        customers.unit_code,
        dossiers.created_at,
        {{ elapsed_workdays('dossiers.created_at', as_of()) }} as elapsed_workdays,
        {{ workday_add('dossiers.created_at', threshold('dossier_transfer_workdays', 'integer')) }} as due_on
    from dossiers
    left join customers
        on dossiers.cust_no = customers.cust_no
    left join cancelled_processes
        on dossiers.proc_id = cancelled_processes.proc_id
    where
        cancelled_processes.proc_id is null
        and {{ as_of_cut('dossiers.transferred_at', as_of()) }} is null
),

dossier_reminders as (
    select
        'dossier_to_transfer' as category,
        collector_id as person_id,
        dossier_id as object_id,
        'dossier_id' as object_kind,
        unit_code,
        case
            when elapsed_workdays > {{ threshold('dossier_transfer_workdays') }} then 'overdue'
            else 'reminder'
        end as level,
        created_at as since,
        {{ end_of_day('due_on') }} as due_at
    from open_dossiers
),

contract_reminders as (
    select
        'contract' as category,
        manager_id as person_id,
        coalesce(contract_id, cust_no) as object_id,
        case when contract_id is null then 'cust_no' else 'contract_id' end as object_kind,
        unit_code,
        alert_level as level,
        case
            when contract_id is null then cast(opened_on as timestamp)
            else
                cast(
                    {{ dbt.dateadd('month', '-1 * ' ~ threshold('contract_alert_months', 'integer'), 'expires_on') }} -- noqa: LT05
                    as timestamp
                )
        end as since,
        case
            when contract_id is null then cast(opened_on as timestamp)
            else {{ dbt.dateadd('second', -1, dbt.dateadd('day', 1, 'cast(expires_on as timestamp)')) }}
        end as due_at
    from contracts
),

sla_reminders as (
    select
        'sla' as category,
        assignee_id as person_id,
        step_id as object_id,
        'step_id' as object_kind,
        unit_code,
        case status when 'red' then 'overdue' else 'warning' end as level,
        started_at as since,
        {{ end_of_day('due_on') }} as due_at
    from sla_steps
),

open_findings as (
    select
        audit_findings.finding_id,
        audit_findings.responsible_id,
        process_units.unit_code,
        audit_checks.checked_at,
        {{ workday_add('audit_checks.checked_at', threshold('rectification_workdays', 'integer')) }} as due_on
    from audit_findings
    inner join audit_checks
        on audit_findings.check_id = audit_checks.check_id
    left join process_units
        on audit_checks.proc_id = process_units.proc_id
),

rectification_reminders as (
    select
        'rectification' as category,
        responsible_id as person_id,
        finding_id as object_id,
        'finding_id' as object_kind,
        unit_code,
        {{ level_by_due_date('due_on') }} as level,
        checked_at as since,
        {{ end_of_day('due_on') }} as due_at
    from open_findings
),

open_borrowings as (
    select
        borrowings.borrow_id,
        borrowings.borrower_id,
        customers.unit_code,
        borrowings.borrowed_at,
        borrowings.due_on
    from borrowings
    left join dossiers
        on borrowings.dossier_id = dossiers.dossier_id
    left join customers
        on dossiers.cust_no = customers.cust_no
    where
        {{ as_of_date() }}
        >= {{ dbt.dateadd('day', '-1 * ' ~ threshold('borrowing_reminder_days', 'integer'), 'borrowings.due_on') }}
),

borrowing_reminders as (
    select
        'borrowing_return' as category,
        borrower_id as person_id,
        borrow_id as object_id,
        'borrow_id' as object_kind,
        unit_code,
        {{ level_by_due_date('due_on') }} as level,
        borrowed_at as since,
        {{ end_of_day('due_on') }} as due_at
    from open_borrowings
),

unioned as (
    select * from step_reminders
    union all
    select * from handover_reminders
    union all
    select * from dossier_reminders
    union all
    select * from contract_reminders
    union all
    select * from sla_reminders
    union all
    select * from rectification_reminders
    union all
    select * from borrowing_reminders
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

final as (
    select
        {{ dbt.concat(['unioned.category', "':'", 'unioned.object_id']) }} as reminder_id,
        unioned.category,
        unioned.level,
        unioned.person_id,
        unioned.object_id,
        unioned.unit_code,
        staff.team_code,
        staff.staff_name as person_name,
        {{ code_label('reminder_category', 'unioned.category') }} as category_zh,
        {{ code_label('level', 'unioned.level') }} as level_zh,
        unioned.object_kind,
        unioned.level = 'overdue' as is_urge,
        unioned.since,
        unioned.due_at
    from unioned
    left join staff
        on unioned.person_id = staff.staff_id
)

select * from final
