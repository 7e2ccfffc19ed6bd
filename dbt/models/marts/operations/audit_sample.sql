{#- 稽查抽样清单 (DOMAIN.md §10): int_audit_samples_drawn, with a month final as of as_of and
    frozen taken unchanged from frozen.audit_sample, so an exported list never changes once
    its month is final (DOMAIN §13; frozen_at null for a computed month). -#}
with final as (
    {{ union_frozen_months('int_audit_samples_drawn', 'frozen_audit_sample', audit_sample_columns()) }}
)

select * from final
