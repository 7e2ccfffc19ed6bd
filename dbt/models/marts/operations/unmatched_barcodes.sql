{#- 未匹配条码: every code read on a scanned page still in the scans folder (the codes the
    optional pattern keeps, when set) that equals no document and no dossier barcode — a
    scan waiting for its archive record, a misprinted label, a foreign code. -#}
with present as (
    select * from {{ ref('int_scan_contents_located') }}
    where is_present
),

codes as (
    select * from {{ ref('int_scan_barcodes_linked') }}
    where
        doc_id is null
        and dossier_id is null
        and file_sha256 in (select present.file_sha256 from present)
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
        files.read_at
    from codes
    left join pages
        on
            codes.file_sha256 = pages.file_sha256
            and codes.page_no = pages.page_no
    left join files
        on codes.file_sha256 = files.file_sha256
)

select * from final
