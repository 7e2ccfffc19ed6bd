{#- Each customer's current contract at date(as_of) (DOMAIN.md §8, macros/contracts.sql):
    its standing contract with the latest expires_on, and whether it is valid then. The
    one selection behind marts.customers and marts.contract_status; contract_valid_rate
    evaluates the same macros at each month's date (int_contract_items_assessed). -#}
with contracts as (
    select * from {{ ref('stg_marketing__contracts') }}
),

standing_contracts as (
    select
        contracts.*,
        row_number() over (
            partition by contracts.cust_no
            order by {{ contract_recency_order('contracts') }}
        ) as recency
    from contracts
    where {{ contract_is_standing('contracts', as_of_date()) }}
),

final as (
    select
        standing_contracts.cust_no,
        standing_contracts.contract_id,
        standing_contracts.signed_on,
        standing_contracts.expires_on,
        standing_contracts.is_auto_renew,
        {{ contract_is_valid('standing_contracts', as_of_date()) }} as is_valid
    from standing_contracts
    where standing_contracts.recency = 1
)

select * from final
