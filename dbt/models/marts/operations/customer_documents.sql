{#- 一户一档: every document added by as_of, by customer and category, with whether it has
    been scanned — a decoded page-1 barcode equal to the document's barcode. When several
    files carry it, the first read (then the smallest path) is the document's scan. -#}
with documents as (
    select * from {{ ref('stg_archive__documents') }}
    where added_at <= {{ as_of() }}
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

processes as (
    select * from {{ ref('stg_marketing__processes') }}
),

process_types as (
    select * from {{ ref('process_types') }}
),

required_documents as (
    select * from {{ ref('required_documents') }}
),

scan_pages as (
    select * from {{ ref('scan_pages') }}
    where doc_id is not null
),

document_types as (
    select
        doc_type,
        min(doc_type_zh) as doc_type_zh,
    from required_documents
    group by doc_type
),

ranked_scans as (
    select
        *,
        row_number() over (partition by doc_id order by read_at, file_path) as scan_order,
    from scan_pages
),

first_scans as (
    select * from ranked_scans
    where scan_order = 1
),

final as (
    select
        documents.cust_no,
        documents.category,
        documents.doc_type,
        documents.doc_id,
        documents.barcode,
        documents.proc_id,
        documents.step_id,
        processes.proc_type,
        documents.added_by,
        customers.cust_name,
        coalesce(document_types.doc_type_zh, documents.doc_type) as doc_type_zh,
        case documents.category
            when 'expansion' then '业扩档案'
            when 'inspection' then '用检档案'
            when 'metering' then '计量档案'
            when 'billing' then '电费档案'
            when 'other' then '其它(影像)'
        end as category_zh,
        process_types.name_zh as proc_type_zh,
        first_scans.file_path as scan_file,
        first_scans.file_sha256 as scan_sha256,
        first_scans.decode_status as scan_decode_status,
        documents.pages,
        first_scans.page_count as scan_page_count,
        first_scans.dpi as scan_dpi,
        first_scans.sharpness as scan_sharpness,
        first_scans.file_path is not null as scanned,
        documents.added_at,
    from documents
    left join customers
        on documents.cust_no = customers.cust_no
    left join processes
        on documents.proc_id = processes.proc_id
    left join process_types
        on processes.proc_type = process_types.proc_type
    left join document_types
        on documents.doc_type = document_types.doc_type
    left join first_scans
        on documents.doc_id = first_scans.doc_id
)

select * from final
