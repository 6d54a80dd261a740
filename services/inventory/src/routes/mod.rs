mod admin_products;
mod body;
mod products;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use sqlx::PgPool;

pub fn router(pool: PgPool) -> Router {
    let router = Router::new()
        .hoop(salvo::affix_state::inject(pool))
        .push(
            Router::with_path("catalog/products")
                .get(products::list_products)
                .push(Router::with_path("{sku}").get(products::get_product)),
        )
        .push(
            Router::with_path("admin/catalog/products")
                .post(admin_products::create_product)
                .push(
                    Router::with_path("{sku}")
                        .patch(admin_products::update_product)
                        .delete(admin_products::deactivate_product),
                ),
        );
    // This service's part of the public API, which the gateway merges into the one document.
    let openapi = OpenApi::new("shop inventory", env!("CARGO_PKG_VERSION")).merge_router(&router);
    router.push(openapi.into_router("openapi.json"))
}
