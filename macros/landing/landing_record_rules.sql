{% macro tender_record_rules() -%}
    {#- The fatal rules of a tender that read only the record's own parsed columns (the landing
        contract's order), shared by the delivered tenders and the published notices. -#}
    {{- return({
        'invalid_contract_type': 'contract_type is null',
        'invalid_status': 'status is null',
        'missing_award_date': "status = 'awarded' and award_date is null",
    }) -}}
{%- endmacro %}


{% macro tender_criterion_record_rules() -%}
    {#- The fatal rules of a tender criterion that read only the record's own parsed columns,
        shared by the delivered criteria and the published notices' declared objectives. -#}
    {{- return({
        'invalid_theme': 'theme is null',
        'invalid_criterion_kind': 'criterion_kind is null',
    }) -}}
{%- endmacro %}
