{#- 扫描页: one row per scanned page (or one page_no 0 row for an unreadable file) with
    its decoding and quality, and the document (doc_id) or dossier (dossier_id) whose
    barcode was read on the page. barcodes is every code read, whatever its format; a code
    links by equality with the archive's own barcodes (int_scan_barcodes_linked), so no
    pattern is needed. Only page 1 links, as a document's barcode is printed on its first
    page; a page reading two known barcodes keeps the smallest id. Only the contents the
    scans folder still holds (int_scan_contents_located): a scan deleted from the folder no
    longer makes its document scanned; scan_files keeps its path as removed. -#}
with present as (
    select * from {{ ref('int_scan_contents_located') }}
    where is_present
),

pages as (
    select * from {{ ref('stg_scans__scan_pages') }}
    where file_sha256 in (select present.file_sha256 from present)
),

files as (
    select * from {{ ref('stg_scans__scan_files') }}
),

codes as (
    select * from {{ ref('int_scan_barcodes_linked') }}
    where page_no = 1
),

page_links as (
    select
        file_sha256,
        page_no,
        min(doc_id) as doc_id,
        min(dossier_id) as dossier_id
    from codes
    group by file_sha256, page_no
),

final as (
    select
        pages.file_path,
        pages.file_sha256,
        pages.page_no,
        pages.width_px,
        pages.height_px,
        pages.dpi,
        pages.raw_barcodes as barcodes,
        pages.decode_status,
        page_links.doc_id,
        pages.error,
        page_links.dossier_id,
        pages.raw_barcodes,
        pages.barcodes as accepted_barcodes,
        pages.decoder,
        files.file_format,
        {{ code_label('decode_status', 'pages.decode_status') }} as decode_status_zh,
        files.page_count,
        pages.sharpness,
        pages.is_blank,
        files.read_at
    from pages
    left join files
        on pages.file_sha256 = files.file_sha256
    left join page_links
        on
            pages.file_sha256 = page_links.file_sha256
            and pages.page_no = page_links.page_no
)

select * from final
