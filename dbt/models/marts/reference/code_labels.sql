{#- 代码名称: the display names of every code shown anywhere (seed code_labels), for the
    dashboard, the reminder texts and the management workbook. -#}
with labels as (
    select * from {{ ref('code_labels') }}
),

final as (
    select
        kind,
        code,
        zh,
        en,
    from labels
)

select * from final
