// Hive Gateway configuration for Saleor + the after-sales app (see docs/federation.md).
//   SALEOR_GRAPHQL_URL      Saleor's API, e.g. https://shop.example.com/graphql/
//   AFTERSALES_GRAPHQL_URL  the app's API, e.g. https://aftersales.example.com/graphql/
// They override the placeholder URLs baked into graphql/supergraph.graphql.
import { defineConfig } from "@graphql-hive/gateway";

// Both subgraphs authorise the customer from the same Saleor JWT, so the gateway forwards it as is.
const FORWARDED_HEADERS = ["authorization", "accept-language", "saleor-api-url"];

const locations = {};
if (process.env.SALEOR_GRAPHQL_URL) locations.saleor = { location: process.env.SALEOR_GRAPHQL_URL };
if (process.env.AFTERSALES_GRAPHQL_URL) locations.aftersales = { location: process.env.AFTERSALES_GRAPHQL_URL };

export const gatewayConfig = defineConfig({
  transportEntries: locations,
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers = {};
      for (const name of FORWARDED_HEADERS) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return headers;
    },
  },
});
