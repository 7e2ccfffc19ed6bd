{#- One row per marketing step started by as_of, with its archive trail as known at
    as_of: completion, first document, send to the collector and review each count only
    when timestamped at or before as_of. The first document is the earlier of the archive
    step's first_doc_at and the first document row of the step, so a step whose archive
    step is missing still shows the documents added for it. -#}
with steps as (
    select * from {{ ref('stg_marketing__process_steps') }}
    where started_at <= {{ as_of() }}
),

processes as (
    select * from {{ ref('int_processes__as_of_state') }}
),

staff as (
    select * from {{ ref('stg_marketing__staff') }}
),

archive_steps as (
    select * from {{ ref('stg_archive__archive_steps') }}
),

documents as (
    select * from {{ ref('stg_archive__documents') }}
    where added_at <= {{ as_of() }}
),

step_documents as (
    select
        step_id,
        count(*) as document_count,
        min(added_at) as first_added_at,
    from documents
    where step_id is not null
    group by step_id
),

archive_as_of as (
    select
        step_id,
        arch_step_id,
        collector_id,
        case when reviewed_at <= {{ as_of() }} then review_result end as review_result,
        case when first_doc_at <= {{ as_of() }} then first_doc_at end as first_doc_at,
        case when sent_at <= {{ as_of() }} then sent_at end as sent_at,
        case when reviewed_at <= {{ as_of() }} then reviewed_at end as reviewed_at
    from archive_steps
    where created_at <= {{ as_of() }}
),

tracked as (
    select
        steps.step_id,
        steps.proc_id,
        archive_as_of.arch_step_id,
        steps.node_code,
        steps.assignee_id,
        staff.team_code,
        processes.proc_type,
        processes.cust_no,
        processes.unit_code,
        processes.owner_id,
        archive_as_of.collector_id,
        processes.customer_class,
        processes.process_state,
        archive_as_of.review_result,
        steps.seq,
        coalesce(step_documents.document_count, 0) as document_count,
        steps.produces_archive as is_archive_producing,
        processes.is_business_expansion,
        processes.is_cancelled,
        steps.started_at,
        case when steps.completed_at <= {{ as_of() }} then steps.completed_at end as completed_at,
        case
            when archive_as_of.first_doc_at is null then step_documents.first_added_at
            when step_documents.first_added_at is null then archive_as_of.first_doc_at
            when step_documents.first_added_at < archive_as_of.first_doc_at then step_documents.first_added_at
            else archive_as_of.first_doc_at
        end as first_document_at,
        archive_as_of.sent_at,
        archive_as_of.reviewed_at,
    from steps
    inner join processes
        on steps.proc_id = processes.proc_id
    left join staff
        on steps.assignee_id = staff.staff_id
    left join archive_as_of
        on steps.step_id = archive_as_of.step_id
    left join step_documents
        on steps.step_id = step_documents.step_id
),

final as (
    select
        *,
        completed_at is null as is_open,
        first_document_at is not null as has_document,
        sent_at is not null as is_sent,
    from tracked
)

select * from final
