{#- One row per process with its attribution, customer class, first document, first paper
    handover, last archive step's collector and the paper-handover deadline date
    workday_add(date(completed_at), handover_workdays). -#}
with processes as (
    select * from {{ ref('stg_marketing__processes') }}
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
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
        count(*) as document_count,
    from documents
    where proc_id is not null
    group by proc_id
),

process_handovers as (
    select
        proc_id,
        min(handed_over_at) as first_handed_over_at,
    from handovers
    group by proc_id
),

last_archive_step as (
    select
        proc_id,
        {{ value_at_max('arch_step_id', 'seq') }} as last_arch_step_id,
        {{ value_at_max('collector_id', 'seq') }} as last_collector_id,
    from steps
    where arch_step_id is not null
    group by proc_id
),

final as (
    select
        processes.proc_id,
        processes.cust_no,
        processes.unit_code,
        processes.owner_id,
        owner.team_code as owner_team_code,
        last_archive_step.last_arch_step_id,
        last_archive_step.last_collector_id,
        processes.proc_type,
        processes.status,
        process_types.category,
        customers.customer_class,
        coalesce(process_documents.document_count, 0) as document_count,
        processes.is_cancelled,
        coalesce(process_types.is_business_expansion, false) as is_business_expansion,
        case
            when processes.completed_at is not null
                then {{ workday_add('processes.completed_at', threshold('handover_workdays', 'integer')) }}
        end as handover_deadline_on,
        processes.accepted_at,
        processes.completed_at,
        process_documents.first_doc_added_at,
        process_handovers.first_handed_over_at,
    from processes
    left join customers
        on processes.cust_no = customers.cust_no
    left join process_types
        on processes.proc_type = process_types.proc_type
    left join process_documents
        on processes.proc_id = process_documents.proc_id
    left join process_handovers
        on processes.proc_id = process_handovers.proc_id
    left join last_archive_step
        on processes.proc_id = last_archive_step.proc_id
    left join staff as owner
        on processes.owner_id = owner.staff_id
)

select * from final
