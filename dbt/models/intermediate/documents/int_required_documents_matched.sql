{#- Every mandatory document type each process step's node requires (DOMAIN §4, catalogue
    resolved per process type), matched with the process's first document of that type:
    one row per step and required type. A type is present at a moment when its
    first_added_at is at or before it (any document of the process counts, whichever step
    it was added at). Timestamps are the sources' own, never cut: completeness evaluates
    them at a month's cutoff, the paper to-do list (missing_documents) at as_of. -#}
with steps as (
    select * from {{ ref('int_steps_matched_to_archive') }}
),

catalogue as (
    select * from {{ ref('int_required_documents_resolved') }}
),

documents as (
    select * from {{ ref('stg_archive__documents') }}
    where proc_id is not null
),

first_documents as (
    select
        proc_id,
        doc_type,
        min(added_at) as first_added_at
    from documents
    group by proc_id, doc_type
),

final as (
    select
        steps.proc_id,
        steps.step_id,
        catalogue.doc_type,
        steps.proc_type,
        steps.node_code,
        steps.cust_no,
        steps.unit_code,
        steps.assignee_id,
        steps.assignee_team_code,
        steps.is_archive_producing,
        steps.is_cancelled,
        steps.cancelled_at,
        steps.proc_accepted_at,
        steps.started_at,
        steps.completed_at,
        first_documents.first_added_at
    from steps
    inner join catalogue
        on
            steps.proc_type = catalogue.proc_type
            and steps.node_code = catalogue.node_code
    left join first_documents
        on
            steps.proc_id = first_documents.proc_id
            and catalogue.doc_type = first_documents.doc_type
)

select * from final
