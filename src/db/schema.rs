//! Table definitions shared by both backends; column types are the portable subset.

diesel::table! {
    organizations (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        kind -> Text,
        country -> Text,
        city -> Nullable<Text>,
        website -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    opportunities (id) {
        id -> Text,
        slug -> Text,
        kind -> Text,
        organization_id -> Text,
        destination_city -> Nullable<Text>,
        online -> Bool,
        career_stage -> Text,
        age_min -> Nullable<Integer>,
        age_max -> Nullable<Integer>,
        opens_at -> Nullable<Timestamp>,
        deadline -> Nullable<Timestamp>,
        deadline_timezone -> Nullable<Text>,
        rolling -> Bool,
        activity_starts_on -> Nullable<Date>,
        activity_ends_on -> Nullable<Date>,
        duration_min_days -> Nullable<Integer>,
        duration_max_days -> Nullable<Integer>,
        funding_min -> Nullable<BigInt>,
        funding_max -> Nullable<BigInt>,
        funding_currency -> Nullable<Text>,
        application_fee -> BigInt,
        application_fee_currency -> Nullable<Text>,
        application_url -> Nullable<Text>,
        source_url -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    opportunity_texts (opportunity_id, language) {
        opportunity_id -> Text,
        language -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    opportunity_disciplines (opportunity_id, discipline) {
        opportunity_id -> Text,
        discipline -> Text,
    }
}

diesel::table! {
    opportunity_covered_costs (opportunity_id, cost) {
        opportunity_id -> Text,
        cost -> Text,
    }
}

diesel::table! {
    opportunity_destinations (opportunity_id, country) {
        opportunity_id -> Text,
        country -> Text,
    }
}

diesel::table! {
    opportunity_nationalities (opportunity_id, area) {
        opportunity_id -> Text,
        area -> Text,
    }
}

diesel::table! {
    opportunity_residences (opportunity_id, area) {
        opportunity_id -> Text,
        area -> Text,
    }
}

diesel::table! {
    opportunity_languages (opportunity_id, language) {
        opportunity_id -> Text,
        language -> Text,
    }
}

diesel::joinable!(opportunities -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    opportunities,
    opportunity_texts,
    opportunity_disciplines,
    opportunity_covered_costs,
    opportunity_destinations,
    opportunity_nationalities,
    opportunity_residences,
    opportunity_languages,
);
