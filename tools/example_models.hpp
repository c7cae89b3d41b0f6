// The response models of instructor-bench's --schema and instructor-batch's --type: a small
// record, a nested one and a large one (enum, optionals, nested lists).
#pragma once

#include <boost/describe.hpp>

#include <optional>
#include <string>
#include <vector>

struct SmallUser {
    std::string name;
    int age;
};
BOOST_DESCRIBE_STRUCT(SmallUser, (), (name, age))

struct Address {
    std::string street;
    std::string city;
    std::string country;
};
BOOST_DESCRIBE_STRUCT(Address, (), (street, city, country))

struct Employee {
    std::string name;
    int age;
    std::string email;
    std::vector<std::string> skills;
};
BOOST_DESCRIBE_STRUCT(Employee, (), (name, age, email, skills))

struct NestedCompany {
    std::string name;
    Address headquarters;
    std::vector<Employee> employees;
};
BOOST_DESCRIBE_STRUCT(NestedCompany, (), (name, headquarters, employees))

BOOST_DEFINE_ENUM_CLASS(Priority, low, medium, high, urgent)

struct LargeTicket {
    std::string id;
    std::string title;
    std::string summary;
    std::string category;
    Priority priority;
    bool requires_escalation;
    int customer_age;
    double amount;
    std::string currency;
    std::string customer_name;
    std::string customer_email;
    std::string customer_phone;
    Address billing;
    Address shipping;
    std::vector<std::string> tags;
    std::vector<std::string> products;
    std::optional<std::string> order_id;
    std::optional<std::string> tracking_number;
    std::string language;
    std::string sentiment;
    std::vector<Employee> assignees;
};
BOOST_DESCRIBE_STRUCT(LargeTicket, (),
                      (id, title, summary, category, priority, requires_escalation, customer_age,
                       amount, currency, customer_name, customer_email, customer_phone, billing,
                       shipping, tags, products, order_id, tracking_number, language, sentiment,
                       assignees))
