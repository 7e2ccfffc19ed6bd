with source as (
    select * from {{ source('raw', 'contracts') }}
),

final as (
    select
        contract_id,
        cust_no,
        signed_on,
        expires_on,
        terminated_on,
        updated_at,
        auto_renew as is_auto_renew
    from source
)

select * from final
