{#- 一户一档: every document added by as_of, by customer and category, with whether it has
    been scanned — a decoded page-1 barcode equal to the document's barcode. When several
    files carry it, the first read (then the smallest path) is the document's scan.
    doc_type_zh names the types of the required-document catalogue and keeps the code of
    any other type, as the mart always has; every type's label is in code_labels. -#}
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

required_documents as (
    select * from {{ ref('required_documents') }}
),

scan_pages as (
    select * from {{ ref('scan_pages') }}
    where doc_id is not null
),

catalogued_types as (
    select distinct doc_type, from required_documents
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
        coalesce(
            case when catalogued_types.doc_type is not null then {{ code_label('doc_type', 'documents.doc_type') }} end,
            documents.doc_type
        ) as doc_type_zh,
        {{ code_label('doc_category', 'documents.category') }} as category_zh,
        {{ code_label('proc_type', 'processes.proc_type') }} as proc_type_zh,
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
    left join catalogued_types
        on documents.doc_type = catalogued_types.doc_type
    left join first_scans
        on documents.doc_id = first_scans.doc_id
)

select * from final
