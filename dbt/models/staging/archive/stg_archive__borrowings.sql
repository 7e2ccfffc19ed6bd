with source as (
    select * from {{ source('raw', 'borrowings') }}
),

final as (
    select
        borrow_id,
        dossier_id,
        borrower_id,
        reason,
        requested_at,
        approved_by,
        approved_at,
        borrowed_at,
        due_on,
        returned_at
    from source
)

select * from final
