{{ config(
    materialized='incremental',
    unique_key='doc_id',
    incremental_strategy=replace_by_key_strategy(),
    pre_hook=[
        "{{ incremental_reset() }}",
        "{% if is_incremental() %}delete from {{ this }} where doc_id in (select doc_id from {{ ref('stg_archive__documents') }} where added_at > {{ as_of() }}){% endif %}",
    ],
    post_hook="{{ incremental_record(['stg_archive__documents', 'stg_marketing__customers', 'stg_marketing__processes']) }}",
) }}

{#- 一户一档: every document added by as_of, by customer and category, with whether it has
    been scanned — a decoded page-1 barcode equal to the document's barcode. When several
    files carry it, the first read (then the smallest path) is the document's scan.
    doc_type_zh names the types of the required-document catalogue and keeps the code of
    any other type, as the mart always has; every type's label is in code_labels.
    Incremental (macro incremental_state): an hourly build recomputes the documents
    changed since the build that last wrote the mart, those added since its as_of, those
    of customers and processes changed since, and those whose scan differs. -#}
-- depends_on: {{ ref('ingest_limits') }}
{%- set state = incremental_state() %}

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
    select distinct doc_type from required_documents
),

ranked_scans as (
    select
        *,
        row_number() over (partition by doc_id order by read_at, file_path) as scan_order
    from scan_pages
),

first_scans as (
    select * from ranked_scans
    where scan_order = 1
),

{%- if state %}
{%- set recorded = "cast('" ~ state.as_of ~ "' as timestamp)" %}

affected_documents as (
    select doc_id from documents
    where
        {{ changed_since(state) }}
        or added_at > {{ recorded }}
        or cust_no in (select customers.cust_no from customers where {{ changed_since(state) }})
        or proc_id in (select processes.proc_id from processes where {{ changed_since(state) }})
    union
    select coalesce(first_scans.doc_id, recorded_scans.doc_id)
    from first_scans
    full join (select * from {{ this }} where scanned) as recorded_scans
        on first_scans.doc_id = recorded_scans.doc_id
    where
        recorded_scans.doc_id is null
        or first_scans.doc_id is null
        or first_scans.file_path is distinct from recorded_scans.scan_file
        or first_scans.file_sha256 is distinct from recorded_scans.scan_sha256
        or first_scans.decode_status is distinct from recorded_scans.scan_decode_status
        or first_scans.page_count is distinct from recorded_scans.scan_page_count
        or first_scans.dpi is distinct from recorded_scans.scan_dpi
        or first_scans.sharpness is distinct from recorded_scans.scan_sharpness
),
{%- endif %}

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
        documents.added_at
    from documents
    left join customers
        on documents.cust_no = customers.cust_no
    left join processes
        on documents.proc_id = processes.proc_id
    left join catalogued_types
        on documents.doc_type = catalogued_types.doc_type
    left join first_scans
        on documents.doc_id = first_scans.doc_id
    {%- if state %}
        where documents.doc_id in (select affected_documents.doc_id from affected_documents)
    {%- endif %}
)

select * from final
