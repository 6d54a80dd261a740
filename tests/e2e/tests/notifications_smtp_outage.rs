//! The mail server away for a minute (Mailpit killed with -9, started again 60 s later) while
//! 20 customers register: every welcome email arrives once it is back, none twice. The jobs
//! wait on RabbitMQ and in Dapr's backoff, not in anybody's memory.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::notifications::*;
use e2e::orders::customer;
use e2e::process::kill_9;
use e2e::*;

#[tokio::test]
async fn twenty_emails_due_while_the_mail_server_is_down_arrive_once_each_after() {
    require_rabbitmq();
    let mailpit = mailpit_process();
    kill_9(&mailpit);

    let mut customers = Vec::new();
    for _ in 0..20 {
        customers.push(customer().await);
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
    restart_mailpit(&mailpit).await;

    for shopper in &customers {
        let emails = exactly_emails(&shopper.user.email, 1).await;
        assert!(
            emails[0]["Subject"]
                .as_str()
                .unwrap()
                .starts_with("Welcome to Shop"),
            "{emails:?}"
        );
    }
    let admin = admin_access_token().await;
    for shopper in &customers {
        let page = admin_notifications(&admin, &format!("user_id={}", shopper.user.user_id)).await;
        let message = &page["items"][0];
        assert_eq!(message["status"], "sent", "{page:#}");
        assert!(
            message["attempts"].as_i64().unwrap() >= 1,
            "the failures were counted: {message:#}"
        );
    }
}
