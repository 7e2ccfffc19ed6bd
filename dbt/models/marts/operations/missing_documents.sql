{#- 每个节点需要添加的纸质档案列表 (DOMAIN §6): the paper to-do list as of as_of. One row per
    archive-producing step completed by as_of, of a process not cancelled at as_of, and
    each mandatory document type of its node (catalogue resolved for the process type,
    DOMAIN §4) that the process does not have by as_of; since = the step's completion.
    Unlike to_add ("nothing attached yet") it says exactly what is still missing, also
    after the first document. -#}
with required as (
    select * from {{ ref('int_required_documents_matched') }}
    where
        is_archive_producing
        and not is_cancelled
        and proc_accepted_at <= {{ as_of() }}
        and completed_at <= {{ as_of() }}
        and {{ as_of_cut('first_added_at', as_of()) }} is null
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

final as (
    select
        required.proc_id,
        required.step_id,
        required.node_code,
        required.doc_type,
        required.assignee_id,
        required.unit_code,
        required.assignee_team_code as team_code,
        required.proc_type,
        required.cust_no,
        customers.cust_name,
        staff.staff_name as assignee_name,
        staff.team_name,
        units.unit_name,
        {{ code_label('proc_type', 'required.proc_type') }} as proc_type_zh,
        {{ code_label('node', 'required.node_code') }} as node_name_zh,
        {{ code_label('doc_type', 'required.doc_type') }} as doc_type_zh,
        {{ dbt.datediff('cast(required.completed_at as date)', as_of_date(), 'day') }} as days_open, -- noqa: LT05
        required.completed_at as since
    from required
    left join customers
        on required.cust_no = customers.cust_no
    left join staff
        on required.assignee_id = staff.staff_id
    left join units
        on required.unit_code = units.unit_code
)

select * from final
