{#- 卷宗查询: every dossier created by as_of — where its paper is and who has it. A dossier
    transferred to the archive room by as_of is on its shelf (location) unless borrowed
    then; one not transferred yet is with its collector (no shelf yet). Borrowed is the
    borrowing report's status (borrowed by as_of, not returned by it), so the dossier page
    and the borrowing report never disagree; with two such borrowings the latest counts. -#}
with dossiers as (
    select * from {{ ref('stg_archive__dossiers') }}
    where created_at <= {{ as_of() }}
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

borrowings as (
    select * from {{ ref('borrowing_report') }}
    where status = 'borrowed'
),

current_borrowings as (
    select
        *,
        row_number() over (partition by dossier_id order by borrowed_at desc, borrow_id desc) as recency
    from borrowings
),

as_of_dossiers as (
    select
        dossier_id,
        barcode,
        cust_no,
        proc_id,
        collector_id,
        created_at,
        {{ as_of_cut('transferred_at', as_of()) }} as transferred_at,
        location
    from dossiers
),

joined as (
    select
        as_of_dossiers.dossier_id,
        as_of_dossiers.barcode,
        as_of_dossiers.cust_no,
        as_of_dossiers.proc_id,
        customers.unit_code,
        as_of_dossiers.collector_id,
        current_borrowings.borrow_id,
        current_borrowings.borrower_id,
        customers.cust_name,
        collectors.staff_name as collector_name,
        current_borrowings.borrower_name,
        case when as_of_dossiers.transferred_at is not null then as_of_dossiers.location end as location, -- noqa: RF04
        case
            when current_borrowings.borrow_id is not null then 'borrowed'
            when as_of_dossiers.transferred_at is not null then 'in_room'
            else 'with_collector'
        end as dossier_state,
        current_borrowings.days_overdue,
        current_borrowings.borrow_id is not null as is_borrowed,
        coalesce(current_borrowings.is_overdue, false) as is_overdue,
        current_borrowings.due_on,
        as_of_dossiers.created_at,
        as_of_dossiers.transferred_at,
        current_borrowings.borrowed_at
    from as_of_dossiers
    left join customers
        on as_of_dossiers.cust_no = customers.cust_no
    left join staff as collectors
        on as_of_dossiers.collector_id = collectors.staff_id
    left join current_borrowings
        on
            as_of_dossiers.dossier_id = current_borrowings.dossier_id
            and current_borrowings.recency = 1
),

final as (
    select
        dossier_id,
        barcode,
        cust_no,
        proc_id,
        unit_code,
        collector_id,
        borrow_id,
        borrower_id,
        cust_name,
        collector_name,
        borrower_name,
        location,
        dossier_state,
        {{ code_label('dossier_state', 'dossier_state') }} as dossier_state_zh,
        days_overdue,
        is_borrowed,
        is_overdue,
        due_on,
        created_at,
        transferred_at,
        borrowed_at
    from joined
)

select * from final
