with source as (
    select * from {{ source('raw', 'scan_pages') }}
),

final as (
    select
        file_sha256,
        file_path,
        page_no,
        width_px,
        height_px,
        dpi,
        barcodes,
        raw_barcodes,
        decoder,
        decode_status,
        is_blank,
        sharpness,
        error
    from source
)

select * from final
