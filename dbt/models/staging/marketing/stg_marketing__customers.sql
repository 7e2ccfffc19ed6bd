with source as (
    select * from {{ source('raw', 'customers') }}
),

final as (
    select
        cust_no,
        cust_name,
        cust_class,
        voltage_class,
        supply_mode,
        address,
        unit_code,
        manager_id,
        opened_on,
        closed_on,
        updated_at,
        {{ customer_class('cust_class', 'voltage_class', 'supply_mode') }} as customer_class,
        cust_class = 'non_residential' as is_non_residential
    from source
)

select * from final
