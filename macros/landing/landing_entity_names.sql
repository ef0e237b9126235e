{% macro landing_entity_names() -%}
    {#- The nine entities of the landing contract, in contract order. A static list (not read
        from the graph) so that models looping over it declare their refs at parse time; the
        singular test assert_landing_reconciles fails if a source table is missing here. -#}
    {{ return([
        'organisations', 'suppliers', 'supplier_certificates', 'tenders', 'tender_criteria',
        'contracts', 'invoice_lines', 'social_return_realisations', 'material_reports',
    ]) }}
{%- endmacro %}
