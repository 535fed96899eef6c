select
    d.published_month as month,
    c.country_iso3,
    s.top_theme_id,
    count(distinct s.doc_id) as documents,
    sum(s.mentions) as mentions
from {{ ref('int_document_theme_scores') }} as s
inner join {{ ref('int_document_countries') }} as c on s.doc_id = c.doc_id
inner join {{ ref('stg_documents') }} as d on s.doc_id = d.doc_id
where s.is_about
group by d.published_month, c.country_iso3, s.top_theme_id
