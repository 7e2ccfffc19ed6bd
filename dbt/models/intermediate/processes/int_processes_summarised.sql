{#- One row per process with its attribution, customer class, first document, first paper
    handover, last archive step's collector and the paper-handover deadline date
    workday_add(date(completed_at), handover_workdays). Attribution (DOMAIN.md §8, §13):
    unit_code, owner_id and owner_team_code as of as_of (open items); the *_at_completion
    ones, which the process's indicators count by, at its completion (as_of while not
    completed by then), as is the customer class. is_cancelled: cancelled at as_of;
    cancelled_at for the months' cutoffs. -#}
with processes as (
    select
        *,
        coalesce({{ as_of_cut('completed_at', as_of()) }}, {{ as_of() }}) as completion_moment
    from {{ ref('stg_marketing__processes') }}
),

process_versions as (
    select * from {{ ref('int_process_versions_unioned') }}
),

customer_versions as (
    select * from {{ ref('int_customer_versions_unioned') }}
),

staff_versions as (
    select * from {{ ref('int_staff_versions_unioned') }}
),

process_types as (
    select * from {{ ref('process_types') }}
),

documents as (
    select * from {{ ref('stg_archive__documents') }}
),

handovers as (
    select * from {{ ref('stg_archive__paper_handovers') }}
),

steps as (
    select * from {{ ref('int_steps_matched_to_archive') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

process_documents as (
    select
        proc_id,
        min(added_at) as first_doc_added_at,
        count(*) as document_count
    from documents
    where proc_id is not null
    group by proc_id
),

process_handovers as (
    select
        proc_id,
        min(handed_over_at) as first_handed_over_at
    from handovers
    group by proc_id
),

last_archive_step as (
    select
        proc_id,
        {{ value_at_max('arch_step_id', 'seq') }} as last_arch_step_id,
        {{ value_at_max('collector_id', 'seq') }} as last_collector_id
    from steps
    where arch_step_id is not null
    group by proc_id
),

final as (
    select
        processes.proc_id,
        processes.cust_no,
        process_now.unit_code,
        process_now.owner_id,
        owner.team_code as owner_team_code,
        process_then.unit_code as unit_code_at_completion,
        process_then.owner_id as owner_id_at_completion,
        owner_then.team_code as owner_team_code_at_completion,
        last_archive_step.last_arch_step_id,
        last_archive_step.last_collector_id,
        processes.proc_type,
        process_now.status,
        process_types.category,
        customer_then.customer_class,
        coalesce(process_documents.document_count, 0) as document_count,
        {{ is_cancelled_at('process_now.cancelled_at', as_of()) }} as is_cancelled,
        process_now.cancelled_at,
        coalesce(process_types.is_business_expansion, false) as is_business_expansion,
        case
            when processes.completed_at is not null
                then {{ workday_add('processes.completed_at', threshold('handover_workdays', 'integer')) }}
        end as handover_deadline_on,
        processes.accepted_at,
        processes.completed_at,
        process_documents.first_doc_added_at,
        process_handovers.first_handed_over_at
    from processes
    left join process_versions as process_now
        on
            processes.proc_id = process_now.proc_id
            and {{ valid_at('process_now', as_of()) }}
    left join process_versions as process_then
        on
            processes.proc_id = process_then.proc_id
            and {{ valid_at('process_then', 'processes.completion_moment') }}
    left join customer_versions as customer_then
        on
            processes.cust_no = customer_then.cust_no
            and {{ valid_at('customer_then', 'processes.completion_moment') }}
    left join process_types
        on processes.proc_type = process_types.proc_type
    left join process_documents
        on processes.proc_id = process_documents.proc_id
    left join process_handovers
        on processes.proc_id = process_handovers.proc_id
    left join last_archive_step
        on processes.proc_id = last_archive_step.proc_id
    left join staff as owner
        on process_now.owner_id = owner.staff_id
    left join staff_versions as owner_then
        on
            process_then.owner_id = owner_then.staff_id
            and {{ valid_at('owner_then', 'processes.completion_moment') }}
)

select * from final
