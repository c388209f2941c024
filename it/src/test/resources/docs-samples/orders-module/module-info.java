// sample:orders-module
module com.example.orders {
  requires io.batpak.api;
  opens com.example.orders to tools.jackson.databind;
  opens com.example.orders.money to tools.jackson.databind;
}
// end-sample:orders-module
