{#- 档案借阅: every borrowing requested by as_of with its status then (requested →
    approved → borrowed → returned; an event after as_of has not happened) and whether
    the paper is overdue: borrowed, not returned, and past due_on. Approval (DOMAIN §6):
    a borrowing borrowed by as_of whose approval is missing then or later than the moment
    it was borrowed is unapproved, counted in the month it was borrowed (borrowed_month);
    one approved no later than borrowed is approved; one not borrowed yet and not approved
    is pending. -#}
with borrowings as (
    select * from {{ ref('stg_archive__borrowings') }}
    where requested_at <= {{ as_of() }}
),

dossiers as (
    select * from {{ ref('stg_archive__dossiers') }}
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

as_of_events as (
    select
        borrow_id,
        dossier_id,
        borrower_id,
        reason,
        case when {{ as_of_cut('approved_at', as_of()) }} is not null then approved_by end as approved_by,
        due_on,
        requested_at,
        {{ as_of_cut('approved_at', as_of()) }} as approved_at,
        {{ as_of_cut('borrowed_at', as_of()) }} as borrowed_at,
        {{ as_of_cut('returned_at', as_of()) }} as returned_at
    from borrowings
),

with_status as (
    select
        *,
        case
            when returned_at is not null then 'returned'
            when borrowed_at is not null then 'borrowed'
            when approved_at is not null then 'approved'
            else 'requested'
        end as status,
        case
            when borrowed_at is not null and (approved_at is null or approved_at > borrowed_at) then 'unapproved'
            when approved_at is not null then 'approved'
            else 'pending'
        end as approval
    from as_of_events
),

final as (
    select
        with_status.borrow_id,
        with_status.dossier_id,
        dossiers.cust_no,
        customers.unit_code,
        with_status.borrower_id,
        with_status.approved_by,
        staff.staff_name as borrower_name,
        with_status.reason,
        with_status.status,
        {{ code_label('borrow_status', 'with_status.status') }} as status_zh,
        with_status.approval,
        {{ code_label('approval', 'with_status.approval') }} as approval_zh,
        case
            when with_status.status = 'borrowed' and with_status.due_on < {{ as_of_date() }}
                then {{ dbt.datediff('with_status.due_on', as_of_date(), 'day') }}
            else 0
        end as days_overdue,
        with_status.status = 'borrowed' and coalesce(with_status.due_on < {{ as_of_date() }}, false) as is_overdue,
        with_status.returned_at is not null
        and with_status.due_on is not null
        and cast(with_status.returned_at as date) > with_status.due_on as was_returned_late,
        with_status.approval = 'unapproved' as is_unapproved,
        cast({{ dbt.date_trunc('month', 'with_status.borrowed_at') }} as date) as borrowed_month,
        with_status.due_on,
        with_status.requested_at,
        with_status.approved_at,
        with_status.borrowed_at,
        with_status.returned_at
    from with_status
    left join dossiers
        on with_status.dossier_id = dossiers.dossier_id
    left join customers
        on dossiers.cust_no = customers.cust_no
    left join staff
        on with_status.borrower_id = staff.staff_id
)

select * from final
