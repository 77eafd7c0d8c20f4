package com.exponea.sdk.models;

import java.util.LinkedHashMap;
import java.util.Map;

/** Mirror of `PurchasedItem(value: Double, currency, paymentSystem, productId, productTitle, receipt: String?)`. */
public final class PurchasedItem implements harness.testbed.JsonValue {
    private final double value;
    private final String currency, paymentSystem, productId, productTitle, receipt;

    public PurchasedItem(double value, String currency, String paymentSystem, String productId,
                         String productTitle, String receipt) {
        this.value = value;
        this.currency = currency;
        this.paymentSystem = paymentSystem;
        this.productId = productId;
        this.productTitle = productTitle;
        this.receipt = receipt;
    }

    @Override public Object toJsonValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", value);
        m.put("currency", currency);
        m.put("paymentSystem", paymentSystem);
        m.put("productId", productId);
        m.put("productTitle", productTitle);
        if (receipt != null) m.put("receipt", receipt);
        return m;
    }
}
