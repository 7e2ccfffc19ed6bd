{#- 未匹配条码: every accepted code read on a scanned page that matches no document and no
    dossier — a scan waiting for its archive record, or a misprinted label. -#}
with codes as (
    select * from {{ ref('int_scan_barcodes_linked') }}
    where doc_id is null and dossier_id is null
),

pages as (
    select * from {{ ref('stg_scans__scan_pages') }}
),

files as (
    select * from {{ ref('stg_scans__scan_files') }}
),

final as (
    select
        codes.barcode,
        codes.file_path,
        codes.file_sha256,
        pages.decoder,
        pages.decode_status,
        codes.page_no,
        codes.code_position,
        files.read_at,
    from codes
    left join pages
        on
            codes.file_sha256 = pages.file_sha256
            and codes.page_no = pages.page_no
    left join files
        on codes.file_sha256 = files.file_sha256
)

select * from final
