{#- 客户: every customer opened by date(as_of), with or without documents or a contract,
    so that every customer can be found (by number, name, address, or a document's or
    dossier's barcode) and its archive page has a header. documents counts the documents
    added by as_of; first_category is the first category (in code_labels order) holding
    one, the tab the archive opens on. contract_id is the current contract at date(as_of)
    (int_current_contracts_selected); valid says whether it is valid then, false
    for an active non-residential customer without one (the contract check of DOMAIN §6
    applies to it), null for any other customer without one. -#}
with customers as (
    select * from {{ ref('stg_marketing__customers') }}
    where opened_on is null or opened_on <= {{ as_of_date() }}
),

current_contracts as (
    select * from {{ ref('int_current_contracts_selected') }}
),

documents as (
    select * from {{ ref('stg_archive__documents') }}
    where added_at <= {{ as_of() }}
),

dossiers as (
    select * from {{ ref('stg_archive__dossiers') }}
    where created_at <= {{ as_of() }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

supply_units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

category_labels as (
    select * from {{ ref('code_labels') }}
    where kind = 'doc_category'
),

document_counts as (
    select
        documents.cust_no,
        count(*) as documents,
        {{ value_at_min('documents.category', 'category_labels.sort_order') }} as first_category
    from documents
    left join category_labels
        on documents.category = category_labels.code
    group by documents.cust_no
),

dossier_counts as (
    select
        cust_no,
        count(*) as dossiers
    from dossiers
    group by cust_no
),

joined as (
    select
        customers.cust_no,
        customers.unit_code,
        customers.manager_id,
        current_contracts.contract_id,
        staff.team_code as manager_team_code,
        customers.cust_name,
        customers.address,
        customers.cust_class,
        customers.voltage_class,
        customers.supply_mode,
        supply_units.unit_name,
        staff.staff_name as manager_name,
        document_counts.first_category,
        coalesce(document_counts.documents, 0) as documents,
        coalesce(dossier_counts.dossiers, 0) as dossiers,
        customers.closed_on is null or customers.closed_on > {{ as_of_date() }} as is_active,
        customers.is_non_residential,
        current_contracts.is_auto_renew as auto_renew,
        coalesce(current_contracts.is_valid, false) as has_valid_contract,
        customers.opened_on,
        customers.closed_on,
        current_contracts.signed_on,
        current_contracts.expires_on
    from customers
    left join current_contracts
        on customers.cust_no = current_contracts.cust_no
    left join document_counts
        on customers.cust_no = document_counts.cust_no
    left join dossier_counts
        on customers.cust_no = dossier_counts.cust_no
    left join staff
        on customers.manager_id = staff.staff_id
    left join supply_units
        on customers.unit_code = supply_units.unit_code
),

final as (
    select
        cust_no,
        unit_code,
        manager_id,
        contract_id,
        manager_team_code,
        cust_name,
        address,
        cust_class,
        {{ code_label('cust_class', 'cust_class') }} as cust_class_zh,
        voltage_class,
        {{ code_label('voltage_class', 'voltage_class') }} as voltage_class_zh,
        supply_mode,
        {{ code_label('supply_mode', 'supply_mode') }} as supply_mode_zh,
        unit_name,
        manager_name,
        first_category,
        documents,
        dossiers,
        is_active,
        case
            when contract_id is not null then has_valid_contract
            when is_active and is_non_residential then false
        end as valid,
        auto_renew,
        opened_on,
        closed_on,
        signed_on,
        expires_on
    from joined
)

select * from final
