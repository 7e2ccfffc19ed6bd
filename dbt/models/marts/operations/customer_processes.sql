{#- 客户流程档案: one row per customer and process with documents added by as_of — how many
    and when the first and the last were added — for the customer page's process list. -#}
with documents as (
    select * from {{ ref('stg_archive__documents') }}
    where
        added_at <= {{ as_of() }}
        and proc_id is not null
),

processes as (
    select * from {{ ref('stg_marketing__processes') }}
),

labels as (
    select * from {{ ref('code_labels') }}
    where kind = 'proc_type'
),

summarised as (
    select
        cust_no,
        proc_id,
        count(*) as document_count,
        min(added_at) as first_added_at,
        max(added_at) as last_added_at
    from documents
    group by cust_no, proc_id
),

final as (
    select
        summarised.cust_no,
        summarised.proc_id,
        processes.proc_type,
        labels.zh as proc_type_zh,
        summarised.document_count,
        summarised.first_added_at,
        summarised.last_added_at
    from summarised
    left join processes
        on summarised.proc_id = processes.proc_id
    left join labels
        on processes.proc_type = labels.code
)

select * from final
