// Types of the globals paykka-compat.js defines (PayKKa SDK compatibility).

/** PayKKa's `styles.input` states: CSS properties in camelCase. */
export interface PayKKaInputStyles {
  base?: Record<string, string>;
  focus?: Record<string, string>;
  valid?: Record<string, string>;
  invalid?: Record<string, string>;
}

export interface PayKKaEncryptedCardResult {
  encryptedCardNumber: string;
  encryptedExpireMonth: string;
  encryptedExpireYear: string;
  encryptedCVV: string;
}

export interface PayKKaEncryptedCardInstance {
  encrypt(): Promise<PayKKaEncryptedCardResult>;
  destroy(): void;
}

export interface PayKKaEncryptedCardSdk {
  setEnv(env: { apiUrl?: string; cdnUrl?: string }): void;
  setFraudDetectionEnv(env: { SR?: string }): void;
  init(options: {
    merchantId?: string;
    clientKey: string;
    showLabel?: boolean;
    styles?: { input?: PayKKaInputStyles };
    onCardEncrypted?: (result: PayKKaEncryptedCardResult | undefined) => void;
  }): PayKKaEncryptedCardInstance;
}

export interface PayKKaComponentKind { readonly methods: string[] | null }

export interface PayKKaCheckoutOptions {
  sessionId: string;
  clientKey: string;
  env?: string;
  hidePaymentButton?: boolean;
  onPaymentMethodsReady?: (methods: string[]) => void;
  onInitError?: (error: unknown) => void;
  onSubmit?: (formValidateError: Record<string, { msg: string; message: string; code: string }[]> | undefined) => void;
  onSuccess?: (payload: { status: string; orderId: string | null; returnUrl?: string }) => void;
  onExpired?: () => void;
  onError?: (error: { code: string; msg: string; message: string }) => void;
  onTimeout?: () => void;
}

export interface PayKKaComponent {
  mount(target: string | Element): Promise<PayKKaComponent>;
  unmount(): void;
  ref: { payment(): void };
}

export declare class PayKKaCheckout {
  constructor(options: PayKKaCheckoutOptions);
  init(): Promise<PayKKaCheckout>;
  create(kind: PayKKaComponentKind, options?: { hidePaymentButton?: boolean; onSubmit?: PayKKaCheckoutOptions["onSubmit"]; onSuccess?: PayKKaCheckoutOptions["onSuccess"]; [option: string]: unknown }): PayKKaComponent;
  destroy(): void;
}

export interface PayKKaCardCheckoutUi {
  PayKKaCheckout: typeof PayKKaCheckout;
  DropIn: PayKKaComponentKind;
  Card: PayKKaComponentKind;
  ApplePay: PayKKaComponentKind;
  GooglePay: PayKKaComponentKind;
  setApiUrl(url: string): void;
  setCDNUrl(url: string): void;
  setFraudDetectionEnv(env: { SR?: string }): void;
}

declare global {
  interface Window {
    PayKKaCardCheckoutEncryptedCard: PayKKaEncryptedCardSdk;
    PaykkaCardCheckoutEncryptedCard: PayKKaEncryptedCardSdk;
    PayKKaCheckout: typeof PayKKaCheckout;
    PayKKaCardCheckoutUI: PayKKaCardCheckoutUi;
  }
}
