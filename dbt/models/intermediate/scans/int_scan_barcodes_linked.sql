{#- One row per code read on a scanned page (raw `barcodes` is `;`-joined: every code read
    unless the optional pattern filter is set), linked to the document or dossier carrying
    that barcode by equality: the join is the link, whatever the barcode's format. Scans
    link to every document ever registered, whatever as_of: a scan is physical evidence, not an event of the source
    systems. Splitting uses dbt's split_part over the first codes of a page (var
    max_barcodes_per_page), so the SQL stays portable. -#}
{%- set max_codes = var('max_barcodes_per_page', 4) -%}
with pages as (
    select * from {{ ref('stg_scans__scan_pages') }}
    where barcodes is not null and barcodes <> ''
),

documents as (
    select * from {{ ref('stg_archive__documents') }}
),

dossiers as (
    select * from {{ ref('stg_archive__dossiers') }}
),

codes as (
    {%- for position in range(1, max_codes + 1) %}
        select
            file_sha256,
            file_path,
            page_no,
            {{ position }} as code_position,
            {{ dbt.split_part('barcodes', "';'", position) }} as barcode
        from pages
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        codes.file_sha256,
        codes.file_path,
        codes.barcode,
        documents.doc_id,
        dossiers.dossier_id,
        codes.page_no,
        codes.code_position
    from codes
    left join documents
        on codes.barcode = documents.barcode
    left join dossiers
        on codes.barcode = dossiers.barcode
    where codes.barcode is not null and codes.barcode <> ''
)

select * from final
