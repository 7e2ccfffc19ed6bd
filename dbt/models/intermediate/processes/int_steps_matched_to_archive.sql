{{ config(
    materialized='incremental',
    unique_key='step_id',
    incremental_strategy=replace_by_key_strategy(),
    pre_hook="{{ incremental_reset() }}",
    post_hook="{{ incremental_record(['stg_marketing__process_steps', 'stg_marketing__processes', 'stg_marketing__customers', 'stg_archive__archive_steps', 'stg_archive__documents']) }}",
) }}

{#- Every marketing step with its process, customer, attribution, its time limit and the
    archive step that mirrors it, with its first
    document twice: the archive step's first_doc_at and the first document row added for
    the step (first_doc_added_at). Timestamps are the sources' own, never cut: the KPI items
    evaluate them as of a month's cutoff and the operational marts as of as_of, both through
    the macro as_of_cut. The one moment-free clock is the light a step had at completion.
    Attribution (DOMAIN.md §8, §13): unit_code, owner_id and the assignee's, owner's and
    collector's teams as of as_of (open items); unit_code_at_step and
    assignee_team_code_at_step at the step's moment (its completed_at, or as_of while not
    completed by then), which the step's indicators count by; the customer class, and so
    the time limit, at the step's moment. is_cancelled: cancelled at as_of; cancelled_at
    for the months' cutoffs.
    Incremental (macro incremental_state): an hourly build recomputes the steps whose
    inputs changed since the build that last wrote the model, and the steps open then,
    whose moment moves with as_of; a step whose document count or first document moved
    (a document re-attached to another step) is recomputed too. -#}
-- depends_on: {{ ref('ingest_limits') }}
{%- set state = incremental_state() %}

with source_steps as (
    select * from {{ ref('stg_marketing__process_steps') }}
),

steps as (
    select
        *,
        coalesce({{ as_of_cut('completed_at', as_of()) }}, {{ as_of() }}) as step_moment
    from source_steps
),

processes as (
    select * from {{ ref('stg_marketing__processes') }}
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

time_limits as (
    select * from {{ ref('time_limits') }}
),

archive_steps as (
    select * from {{ ref('stg_archive__archive_steps') }}
),

documents as (
    select * from {{ ref('stg_archive__documents') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

step_documents as (
    select
        step_id,
        min(added_at) as first_doc_added_at,
        count(*) as document_count
    from documents
    where step_id is not null
    group by step_id
),

{%- if state %}
{%- set recorded = "cast('" ~ state.as_of ~ "' as timestamp)" %}

changed_staff as (
    select staff_id from staff_versions
    where valid_from > {{ recorded }} or valid_to > {{ recorded }}
),

changed_processes as (
    select proc_id from processes
    where {{ changed_since(state) }}
    union
    select proc_id from process_versions
    where
        valid_from > {{ recorded }}
        or valid_to > {{ recorded }}
        or owner_id in (select changed_staff.staff_id from changed_staff)
    union
    select processes.proc_id
    from processes
    inner join customer_versions
        on processes.cust_no = customer_versions.cust_no
    where customer_versions.valid_from > {{ recorded }} or customer_versions.valid_to > {{ recorded }}
    union
    select processes.proc_id
    from processes
    inner join {{ ref('stg_marketing__customers') }} as customers
        on processes.cust_no = customers.cust_no
    where {{ changed_since(state, 'customers.updated_at') }}
),

affected_steps as (
    select step_id from source_steps
    where
        {{ changed_since(state) }}
        or completed_at is null
        or completed_at > {{ recorded }}
        or assignee_id in (select changed_staff.staff_id from changed_staff)
        or proc_id in (select changed_processes.proc_id from changed_processes)
    union
    select step_id from archive_steps
    where {{ changed_since(state) }} or collector_id in (select changed_staff.staff_id from changed_staff)
    union
    select step_id from documents
    where step_id is not null and {{ changed_since(state) }}
    union
    select recorded_steps.step_id
    from {{ this }} as recorded_steps
    left join step_documents
        on recorded_steps.step_id = step_documents.step_id
    where
        coalesce(step_documents.document_count, 0) != recorded_steps.document_count
        or step_documents.first_doc_added_at is distinct from recorded_steps.first_doc_added_at
),
{%- endif %}

joined as (
    select
        steps.step_id,
        steps.proc_id,
        archive_steps.arch_step_id,
        processes.cust_no,
        process_now.unit_code,
        process_then.unit_code as unit_code_at_step,
        steps.assignee_id,
        assignee.team_code as assignee_team_code,
        assignee_then.team_code as assignee_team_code_at_step,
        process_now.owner_id,
        owner.team_code as owner_team_code,
        archive_steps.collector_id,
        collector.team_code as collector_team_code,
        steps.node_code,
        processes.proc_type,
        process_now.status as proc_status,
        customer_then.customer_class,
        archive_steps.review_result,
        steps.seq,
        time_limits.limit_workdays,
        coalesce(step_documents.document_count, 0) as document_count,
        steps.is_archive_producing,
        {{ is_cancelled_at('process_now.cancelled_at', as_of()) }} as is_cancelled,
        process_now.cancelled_at,
        coalesce(process_types.is_business_expansion, false) as is_business_expansion,
        steps.started_at,
        steps.completed_at,
        processes.accepted_at as proc_accepted_at,
        processes.completed_at as proc_completed_at,
        archive_steps.created_at as arch_created_at,
        archive_steps.first_doc_at,
        step_documents.first_doc_added_at,
        archive_steps.sent_at,
        archive_steps.reviewed_at
    from steps
    inner join processes
        on steps.proc_id = processes.proc_id
    left join process_versions as process_now
        on
            steps.proc_id = process_now.proc_id
            and {{ valid_at('process_now', as_of()) }}
    left join process_versions as process_then
        on
            steps.proc_id = process_then.proc_id
            and {{ valid_at('process_then', 'steps.step_moment') }}
    left join customer_versions as customer_then
        on
            processes.cust_no = customer_then.cust_no
            and {{ valid_at('customer_then', 'steps.step_moment') }}
    left join process_types
        on processes.proc_type = process_types.proc_type
    left join time_limits
        on
            steps.node_code = time_limits.node_code
            and customer_then.customer_class = time_limits.customer_class
            and coalesce(process_types.is_business_expansion, false)
    left join archive_steps
        on steps.step_id = archive_steps.step_id
    left join step_documents
        on steps.step_id = step_documents.step_id
    left join staff as assignee
        on steps.assignee_id = assignee.staff_id
    left join staff_versions as assignee_then
        on
            steps.assignee_id = assignee_then.staff_id
            and {{ valid_at('assignee_then', 'steps.step_moment') }}
    left join staff as owner
        on process_now.owner_id = owner.staff_id
    left join staff as collector
        on archive_steps.collector_id = collector.staff_id
    {%- if state %}
        where steps.step_id in (select affected_steps.step_id from affected_steps)
    {%- endif %}
),

final as (
    select
        *,
        limit_workdays is not null as is_time_limited,
        case
            when limit_workdays is not null and completed_at is not null
                then {{ elapsed_workdays('started_at', 'completed_at') }}
        end as elapsed_workdays_at_completion
    from joined
)

select
    *,
    case
        when elapsed_workdays_at_completion is not null
            then {{ sla_status('elapsed_workdays_at_completion', 'limit_workdays') }}
    end as sla_status_at_completion
from final
